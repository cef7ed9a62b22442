/** The items API's routes, as every flow that serves it (Lambda or Fargate) must expose them. */
export const ITEMS_ROUTE_KEYS = [
  "DELETE /items/{id}",
  "GET /items",
  "GET /items/{id}",
  "POST /items",
  "PUT /items/{id}",
];
