/**
 * Berth's one exception family: {@link dev.berth.exception.PluginException} and its subclasses, one per
 * Docker error class (not found, invalid parameter, conflict, unauthorized, forbidden, unavailable,
 * system), plus digest mismatches and privileges not granted. Messages are the Docker daemon's.
 *
 * <p>Module {@code berth-api}: every Berth module and any SPI implementation may depend on it; it
 * depends on nothing but the JDK.
 */
package dev.berth.exception;
