/**
 * Entry point of the policy pack for `pulumi preview --policy-pack policy`. This is the only file
 * that constructs a PolicyPack: doing so starts the analyzer's gRPC server, which keeps the
 * process alive. Everything else imports ./rules, which starts nothing.
 */
import { PolicyPack } from "@pulumi/policy";
import { ALL_RULES } from "./rules";

new PolicyPack("aws-serverless-flows-secure-defaults", { policies: ALL_RULES });
