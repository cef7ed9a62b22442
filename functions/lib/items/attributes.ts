/**
 * Stored attribute names shared by the items repository and read-only views (item-summary), apart
 * from the repository so a reader does not pull its write commands into its bundle or its role.
 */

/** Attribute holding the fingerprint of the keyed create that made the item; internal. */
export const REQUEST_HASH_ATTRIBUTE = "requestHash";
