/**
 * PostgreSQL: the reachability check and the Flyway migrations (db/migration) applied at start-up.
 * Tables belong to the features that use them; this package only owns the schema's versioning.
 */
package dev.batchwise.database;
