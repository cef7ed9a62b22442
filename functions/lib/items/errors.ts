/** Errors of the items domain; each carries the HTTP status an adapter should answer with. */
import { HttpError } from "../http";

/** Bad input (body, query, id, cursor): 400 with the problems listed in `details`. */
export class ValidationError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(400, message, details);
    this.name = "ValidationError";
  }
}

export class NotFoundError extends HttpError {
  constructor(id: string) {
    super(404, `item ${id} not found`);
    this.name = "NotFoundError";
  }
}

/** The client's version is stale: someone else updated (or deleted and recreated) the item. */
export class ConflictError extends HttpError {
  constructor(
    id: string,
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(
      409,
      `item ${id} is at version ${currentVersion}, not ${expectedVersion}: read it again and retry`,
      { expectedVersion, currentVersion },
    );
    this.name = "ConflictError";
  }
}

export { HttpError };
