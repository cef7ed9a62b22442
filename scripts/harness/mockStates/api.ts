import { StateFn, autoName, arn } from "../mockStateKit";

/** Mocked state of the API Gateway (REST and HTTP) and Cognito resources the program creates. */
export const API_STATES: Record<string, StateFn> = {
  "aws:apigatewayv2/api:Api": (c) => {
    const id = c.hex(10);
    return {
      id,
      state: {
        apiEndpoint: `https://${id}.execute-api.${c.region}.amazonaws.com`,
        executionArn: arn(c, "execute-api", id),
        arn: `arn:aws:apigateway:${c.region}::/apis/${id}`,
      },
    };
  },
  "aws:apigatewayv2/stage:Stage": (c) => {
    const api = String(c.inputs.apiId);
    const stage = String(c.inputs.name ?? "$default");
    const path = stage === "$default" ? "" : stage;
    return {
      id: stage,
      state: {
        invokeUrl: `https://${api}.execute-api.${c.region}.amazonaws.com/${path}`,
        executionArn: arn(c, "execute-api", `${api}/${stage}`),
        arn: `arn:aws:apigateway:${c.region}::/apis/${api}/stages/${stage}`,
      },
    };
  },
  "aws:apigatewayv2/vpcLink:VpcLink": (c) => {
    const id = c.hex(6);
    return { id, state: { arn: `arn:aws:apigateway:${c.region}::/vpclinks/${id}` } };
  },
  // HTTP API child ids are short lowercase alphanumerics (e.g. integration "a1b2c3d").
  "aws:apigatewayv2/integration:Integration": (c) => ({ id: c.hex(7), state: {} }),
  "aws:apigatewayv2/route:Route": (c) => ({ id: c.hex(7), state: {} }),
  "aws:apigatewayv2/authorizer:Authorizer": (c) => ({ id: c.hex(6), state: {} }),
  "aws:apigateway/restApi:RestApi": (c) => {
    const id = c.hex(10);
    return {
      id,
      state: {
        name: autoName(c.name, c.inputs),
        rootResourceId: c.hex(10).slice(0, 10).replace(/^./, "r"),
        executionArn: arn(c, "execute-api", id),
        arn: `arn:aws:apigateway:${c.region}::/restapis/${id}`,
      },
    };
  },
  "aws:apigateway/stage:Stage": (c) => {
    const api = String(c.inputs.restApi);
    const stage = String(c.inputs.stageName);
    return {
      id: `ags-${api}-${stage}`,
      state: {
        invokeUrl: `https://${api}.execute-api.${c.region}.amazonaws.com/${stage}`,
        executionArn: arn(c, "execute-api", `${api}/${stage}`),
        arn: `arn:aws:apigateway:${c.region}::/restapis/${api}/stages/${stage}`,
      },
    };
  },
  "aws:apigateway/resource:Resource": (c) => ({
    id: c.hex(6),
    state: { path: `/${String(c.inputs.pathPart ?? "")}` },
  }),
  "aws:apigateway/model:Model": (c) => ({ id: c.hex(6), state: {} }),
  "aws:apigateway/requestValidator:RequestValidator": (c) => ({ id: c.hex(6), state: {} }),
  "aws:apigateway/method:Method": (c) => ({
    id: `agm-${String(c.inputs.restApi)}-${String(c.inputs.resourceId)}-${String(c.inputs.httpMethod)}`,
    state: {},
  }),
  "aws:apigateway/integration:Integration": (c) => ({
    id: `agi-${String(c.inputs.restApi)}-${String(c.inputs.resourceId)}-${String(c.inputs.httpMethod)}`,
    state: {},
  }),
  "aws:apigateway/methodResponse:MethodResponse": (c) => ({
    id: `agmr-${String(c.inputs.restApi)}-${String(c.inputs.resourceId)}-${String(c.inputs.httpMethod)}-${String(c.inputs.statusCode)}`,
    state: {},
  }),
  "aws:apigateway/integrationResponse:IntegrationResponse": (c) => ({
    id: `agir-${String(c.inputs.restApi)}-${String(c.inputs.resourceId)}-${String(c.inputs.httpMethod)}-${String(c.inputs.statusCode)}`,
    state: {},
  }),
  "aws:apigateway/response:Response": (c) => ({
    id: `aggr-${String(c.inputs.restApiId)}-${String(c.inputs.responseType)}`,
    state: {},
  }),
  "aws:apigateway/deployment:Deployment": (c) => ({
    id: c.hex(6),
    state: { createdDate: "2026-01-01T00:00:00Z" },
  }),
  "aws:apigateway/methodSettings:MethodSettings": (c) => ({
    id: `${String(c.inputs.restApi)}-${String(c.inputs.stageName)}-${String(c.inputs.methodPath)}`,
    state: {},
  }),
  "aws:apigateway/usagePlan:UsagePlan": (c) => {
    const id = c.hex(6);
    return {
      id,
      state: {
        name: autoName(c.name, c.inputs),
        arn: `arn:aws:apigateway:${c.region}::/usageplans/${id}`,
      },
    };
  },
  "aws:apigateway/usagePlanKey:UsagePlanKey": (c) => ({
    id: String(c.inputs.keyId),
    state: { name: c.name },
  }),
  // The account's API Gateway settings: one per region, id fixed by the provider.
  "aws:apigateway/account:Account": () => ({ id: "api-gateway-account", state: {} }),
  "aws:apigateway/apiKey:ApiKey": (c) => ({
    id: c.hex(10),
    state: { value: `mock-api-key-${c.hex(20)}` },
  }),
  "aws:cognito/userPool:UserPool": (c) => {
    const id = `${c.region}_${c.hex(9).toUpperCase()}`;
    return {
      id,
      state: {
        name: autoName(c.name, c.inputs),
        arn: arn(c, "cognito-idp", `userpool/${id}`),
        endpoint: `cognito-idp.${c.region}.amazonaws.com/${id}`,
      },
    };
  },
  "aws:cognito/userPoolClient:UserPoolClient": (c) => ({ id: c.hex(26), state: {} }),
};
