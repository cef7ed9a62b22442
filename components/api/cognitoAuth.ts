import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  COGNITO_ACCESS_TOKEN_HOURS,
  COGNITO_MIN_PASSWORD_LENGTH,
  COGNITO_REFRESH_TOKEN_DAYS,
} from "../core/defaults";
import { transform, Transforms } from "../core/transform";

/** Cognito JWT settings: reuse a user pool and/or app clients, or let the component create them. */
export interface CognitoOptions {
  /**
   * Existing user pool id (e.g. `us-east-1_AbC123`).
   * @default a new user pool
   */
  userPoolId?: pulumi.Input<string>;
  /**
   * App client ids whose tokens the API accepts (JWT audience).
   * @default one new app client
   */
  clientIds?: pulumi.Input<string>[];
  /**
   * OAuth scopes a token must carry on every JWT route.
   * @default none (any valid token)
   */
  scopes?: string[];
}

/** What `cognitoJwtAuthorizer` created or reused. */
export interface CognitoJwtAuth {
  authorizer: aws.apigatewayv2.Authorizer;
  /** Created unless `cognito.userPoolId` was given. */
  userPool?: aws.cognito.UserPool;
  /** Created unless `cognito.clientIds` were given. */
  userPoolClient?: aws.cognito.UserPoolClient;
  userPoolId: pulumi.Output<string>;
  clientIds: pulumi.Output<string[]>;
}

/** The parts of a `CognitoJwtAuth` under the names the API components expose them by. */
export function jwtAuthFields(jwt: CognitoJwtAuth) {
  return {
    authorizer: jwt.authorizer,
    userPool: jwt.userPool,
    userPoolClient: jwt.userPoolClient,
    userPoolId: jwt.userPoolId,
    userPoolClientIds: jwt.clientIds,
  };
}

/** The children `cognitoJwtAuthorizer()` creates, by the name of their transform hook. */
export interface CognitoAuthChildren {
  userPool: aws.cognito.UserPoolArgs;
  userPoolClient: aws.cognito.UserPoolClientArgs;
  authorizer: aws.apigatewayv2.AuthorizerArgs;
}

/**
 * A JWT authorizer on an HTTP API that accepts tokens of a Cognito user pool: an admin-invite-only
 * pool with a strong password policy, optional TOTP MFA and email recovery, and a public app client
 * (no secret, SRP auth, token revocation), each created unless `cognito` names existing ones.
 * Children are parented to `parent`; the settings match `ApiBackedLambda`'s.
 */
export function cognitoJwtAuthorizer(
  name: string,
  args: {
    apiId: pulumi.Input<string>;
    cognito?: CognitoOptions;
    /**
     * @default true (the user pool refuses deletion)
     */
    deletionProtection?: boolean;
    transform?: Transforms<CognitoAuthChildren>;
  },
  parent: pulumi.Resource,
): CognitoJwtAuth {
  const t = args.transform ?? {};
  const opts = { parent };
  const region = aws.getRegionOutput({}, opts).region;
  let userPool: aws.cognito.UserPool | undefined;
  let userPoolClient: aws.cognito.UserPoolClient | undefined;

  let userPoolId: pulumi.Output<string>;
  if (args.cognito?.userPoolId) {
    userPoolId = pulumi.output(args.cognito.userPoolId);
  } else {
    userPool = new aws.cognito.UserPool(
      ...transform(
        t.userPool,
        name,
        {
          usernameAttributes: ["email"],
          autoVerifiedAttributes: ["email"],
          passwordPolicy: {
            minimumLength: COGNITO_MIN_PASSWORD_LENGTH,
            requireLowercase: true,
            requireUppercase: true,
            requireNumbers: true,
            requireSymbols: true,
            temporaryPasswordValidityDays: 3,
          },
          mfaConfiguration: "OPTIONAL",
          softwareTokenMfaConfiguration: { enabled: true },
          accountRecoverySetting: {
            recoveryMechanisms: [{ name: "verified_email", priority: 1 }],
          },
          // Only admins create users: a backend API is not open to self-registration.
          adminCreateUserConfig: { allowAdminCreateUserOnly: true },
          deletionProtection: (args.deletionProtection ?? true) ? "ACTIVE" : "INACTIVE",
        },
        opts,
      ),
    );
    userPoolId = userPool.id;
  }

  let clientIds: pulumi.Input<string>[];
  if (args.cognito?.clientIds) {
    clientIds = args.cognito.clientIds;
  } else {
    userPoolClient = new aws.cognito.UserPoolClient(
      ...transform(
        t.userPoolClient,
        name,
        {
          userPoolId,
          // A public client (SPA, CLI): no secret it could leak.
          generateSecret: false,
          explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
          preventUserExistenceErrors: "ENABLED",
          enableTokenRevocation: true,
          accessTokenValidity: COGNITO_ACCESS_TOKEN_HOURS,
          idTokenValidity: COGNITO_ACCESS_TOKEN_HOURS,
          refreshTokenValidity: COGNITO_REFRESH_TOKEN_DAYS,
          tokenValidityUnits: { accessToken: "hours", idToken: "hours", refreshToken: "days" },
        },
        opts,
      ),
    );
    clientIds = [userPoolClient.id];
  }

  const authorizer = new aws.apigatewayv2.Authorizer(
    ...transform(
      t.authorizer,
      name,
      {
        apiId: args.apiId,
        authorizerType: "JWT",
        identitySources: ["$request.header.Authorization"],
        jwtConfiguration: {
          audiences: clientIds,
          issuer: pulumi.interpolate`https://cognito-idp.${region}.amazonaws.com/${userPoolId}`,
        },
      },
      opts,
    ),
  );
  return {
    authorizer,
    userPool,
    userPoolClient,
    userPoolId,
    clientIds: pulumi.output(clientIds),
  };
}
