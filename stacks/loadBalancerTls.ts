import { z } from "zod";
import { boolSetting } from "./settingFields";
import type { FargateClusterArgs } from "../components/containers/fargateCluster";
import type { StackConfig } from "./config";

/** An ACM certificate ARN (any region-partition ACM issues in). */
const ACM_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;
const HOST_NAME = /^(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/**
 * Settings of the hop API Gateway -> VPC link -> internal load balancer, shared by the Fargate
 * flows. API Gateway verifies the listener's certificate against `serverName` and accepts only
 * certificates a publicly trusted CA issued (not ACM Private CA, not self-signed), so the name
 * must be one the user owns and can validate in ACM.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-private.html
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-supported-certificate-authorities-for-http-endpoints.html
 */
export const loadBalancerTlsFields = {
  loadBalancerTls: z
    .strictObject({
      certificateArn: z
        .string()
        .regex(
          ACM_ARN,
          "must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)",
        )
        .describe(
          "ACM certificate of the HTTPS listener, issued by a public CA, in the stack's region.",
        ),
      serverName: z
        .string()
        .regex(HOST_NAME, "must be a DNS name such as api-internal.example.com")
        .describe(
          "Name the certificate covers; API Gateway verifies it (tlsConfig.serverNameToVerify).",
        ),
    })
    .optional()
    .describe(
      "HTTPS from API Gateway to the internal load balancer (port 443, the certificate verified). Default: none (HTTP on port 80, allowed outside dev only with allowPlainHttpToLoadBalancer).",
    ),
  allowPlainHttpToLoadBalancer: boolSetting(false).describe(
    "Acknowledge plain HTTP between API Gateway and the load balancer (JWTs cross the VPC unencrypted) in a stack other than dev. Default: false.",
  ),
};

export type LoadBalancerTlsSettings = z.infer<z.ZodObject<typeof loadBalancerTlsFields>>;

/**
 * Outside dev, the hop to the load balancer is HTTPS unless the config says plainly that HTTP is
 * wanted; asking for both is a contradiction. Each problem names its key and the fix.
 */
export function loadBalancerTlsProblems(
  s: LoadBalancerTlsSettings,
  config: Pick<StackConfig, "environment">,
): string[] {
  if (s.loadBalancerTls && s.allowPlainHttpToLoadBalancer) {
    return [
      "allowPlainHttpToLoadBalancer: true contradicts loadBalancerTls (fix: remove one of them)",
    ];
  }
  if (config.environment !== "dev" && !s.loadBalancerTls && !s.allowPlainHttpToLoadBalancer) {
    return [
      `loadBalancerTls: required outside dev (environment "${config.environment}"): without it ` +
        "API Gateway sends requests and their JWTs to the load balancer in plain HTTP " +
        "(fix: give loadBalancerTls { certificateArn, serverName }, or acknowledge with " +
        "allowPlainHttpToLoadBalancer: true)",
    ];
  }
  return [];
}

/** The cluster's `tls` argument from the settings. */
export function clusterTls(s: LoadBalancerTlsSettings): FargateClusterArgs["tls"] {
  return s.loadBalancerTls
    ? { certificateArn: s.loadBalancerTls.certificateArn, serverName: s.loadBalancerTls.serverName }
    : undefined;
}
