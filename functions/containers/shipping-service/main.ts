/** Process entry of the shipping container: OrderPlaced -> shipments table; GET /shipments/{orderId}. */
import { runConsumerService } from "../../lib/orders/consumerApp";
import { readShippingServiceEnv } from "./env";
import { shipmentFor } from "./shipping";

runConsumerService("shipping-service", "shipments", shipmentFor, readShippingServiceEnv());
