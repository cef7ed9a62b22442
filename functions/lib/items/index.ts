/**
 * The items domain, shared by every runtime that serves the items API (Lambda, container).
 * Stable exports: schema + limits, errors, cursor codec, repository, service, neutral router.
 */
export * from "./schema";
export * from "./errors";
export * from "./cursor";
export * from "./repository";
export * from "./service";
export * from "./router";
export * from "./client";
