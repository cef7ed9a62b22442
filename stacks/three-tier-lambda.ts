import { defineFlow } from "./flow";
import {
  ThreeTierLambdaSettings,
  buildItemsApi,
  itemsApiOutputs,
  threeTierLambdaSettings,
} from "./itemsApi";

export const threeTierLambda = defineFlow<ThreeTierLambdaSettings>({
  slug: "three-tier-lambda",
  componentName: "ThreeTierLambda",
  summary:
    "API Gateway (HTTP API) -> Lambda in private subnets -> DynamoDB: an items REST API with Cognito auth.",
  settings: threeTierLambdaSettings,
  build: (flow, settings, ctx) => {
    const api = buildItemsApi("three-tier-lambda", flow, settings, ctx);
    ctx.dashboard(api);
    return itemsApiOutputs(api);
  },
});
