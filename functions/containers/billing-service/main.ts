/** Process entry of the billing container: OrderPlaced -> invoices table; GET /invoices/{orderId}. */
import { runConsumerService } from "../../lib/orders/consumerApp";
import { invoiceFor } from "./billing";
import { readBillingServiceEnv } from "./env";

runConsumerService("billing-service", "invoices", invoiceFor, readBillingServiceEnv());
