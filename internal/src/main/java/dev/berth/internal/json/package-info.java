/**
 * Berth's JSON codec: reads JSON the way Go's {@code encoding/json} does for Docker's types (keys
 * matched case-insensitively, unknown keys ignored) but safer (duplicate keys rejected, including case
 * variants, so that two parsers can never see different privileges; input size and nesting capped),
 * and writes the exact bytes Go writes (key order, {@code null} versus {@code []}, HTML escaping).
 * Internal: exported only to Berth's own modules.
 */
package dev.berth.internal.json;
