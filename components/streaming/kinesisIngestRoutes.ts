import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { transform } from "../core/transform";
import type { KinesisIngestApiArgs } from "./kinesisIngestApiArgs";
import { JSON_CONTENT, RESPONSES, ROUTES, Route } from "./kinesisIngestTemplates";

type Path = Route["path"];

/** What the routes hang off and call with. */
export interface IngestRoutesContext {
  name: string;
  parent: pulumi.Resource;
  restApi: aws.apigateway.RestApi;
  requestValidator: aws.apigateway.RequestValidator;
  /** The role API Gateway calls Kinesis with, and its policy (which must exist first). */
  role: aws.iam.Role;
  rolePolicy: aws.iam.RolePolicy;
  region: pulumi.Input<string>;
  authorization: "AWS_IAM" | "NONE";
  streamName: pulumi.Input<string>;
  t: NonNullable<KinesisIngestApiArgs["transform"]>;
}

/** The two routes' children, by path, and everything a deployment must wait for. */
export interface IngestRoutes {
  models: Record<Path, aws.apigateway.Model>;
  methods: Record<Path, aws.apigateway.Method>;
  integrations: Record<Path, aws.apigateway.Integration>;
  /** Resources, method and integration responses. */
  others: pulumi.Resource[];
}

/**
 * `POST /record` and `POST /records`: per route a resource, its request model, a method that
 * needs the API key and validates the body, the Kinesis integration, and its responses.
 */
export function createIngestRoutes(c: IngestRoutesContext): IngestRoutes {
  const out: IngestRoutes = {
    models: {} as IngestRoutes["models"],
    methods: {} as IngestRoutes["methods"],
    integrations: {} as IngestRoutes["integrations"],
    others: [],
  };
  for (const route of ROUTES) createRoute(c, route, out);
  return out;
}

function createRoute(c: IngestRoutesContext, route: Route, out: IngestRoutes): void {
  const n = `${c.name}-${route.path}`;
  const restApi = c.restApi.id;
  const opts = { parent: c.parent };
  const resource = new aws.apigateway.Resource(
    ...transform(
      c.t.resource,
      n,
      { restApi, parentId: c.restApi.rootResourceId, pathPart: route.path },
      opts,
    ),
  );
  const model = new aws.apigateway.Model(
    ...transform(
      c.t.model,
      n,
      {
        restApi,
        name: `${route.action}Request`,
        contentType: JSON_CONTENT,
        description: `Body of POST /${route.path}`,
        schema: JSON.stringify(route.schema),
      },
      opts,
    ),
  );
  const method = new aws.apigateway.Method(
    ...transform(
      c.t.method,
      n,
      {
        restApi,
        resourceId: resource.id,
        httpMethod: "POST",
        authorization: c.authorization,
        apiKeyRequired: true,
        requestValidatorId: c.requestValidator.id,
        requestModels: { [JSON_CONTENT]: model.name },
        operationName: route.action,
      },
      opts,
    ),
  );
  const integration = new aws.apigateway.Integration(
    ...transform(
      route.path === "record" ? c.t.putRecordIntegration : c.t.putRecordsIntegration,
      n,
      {
        restApi,
        resourceId: resource.id,
        httpMethod: method.httpMethod,
        type: "AWS",
        integrationHttpMethod: "POST",
        uri: pulumi.interpolate`arn:aws:apigateway:${c.region}:kinesis:action/${route.action}`,
        credentials: c.role.arn,
        requestParameters: {
          "integration.request.header.Content-Type": "'application/x-amz-json-1.1'",
        },
        requestTemplates: {
          [JSON_CONTENT]: pulumi.output(c.streamName).apply(route.requestTemplate),
        },
        // Only application/json (the validated model) reaches Kinesis; other types get 415.
        passthroughBehavior: "NEVER",
      },
      // The role must be able to write before the first request arrives.
      { parent: c.parent, dependsOn: [c.rolePolicy] },
    ),
  );
  const methodResponse = (statusCode: string) =>
    new aws.apigateway.MethodResponse(
      ...transform(
        c.t.methodResponse,
        `${n}-${statusCode}`,
        {
          restApi,
          resourceId: resource.id,
          httpMethod: method.httpMethod,
          statusCode,
          responseModels: { [JSON_CONTENT]: "Empty" },
        },
        opts,
      ),
    );
  for (const r of RESPONSES) {
    const declared = methodResponse(r.statusCode);
    out.others.push(
      declared,
      new aws.apigateway.IntegrationResponse(
        ...transform(
          c.t.integrationResponse,
          `${n}-${r.statusCode}`,
          {
            restApi,
            resourceId: resource.id,
            httpMethod: method.httpMethod,
            statusCode: declared.statusCode,
            selectionPattern: r.selectionPattern,
            responseTemplates: { [JSON_CONTENT]: r.template ?? route.responseTemplate },
          },
          { parent: c.parent, dependsOn: [integration] },
        ),
      ),
    );
  }
  // Throttled puts are rewritten to 429 by CLIENT_ERROR_TEMPLATE; declare it on the method.
  out.others.push(methodResponse("429"), resource);
  out.models[route.path] = model;
  out.methods[route.path] = method;
  out.integrations[route.path] = integration;
}
