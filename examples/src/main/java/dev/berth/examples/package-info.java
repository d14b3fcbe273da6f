/**
 * Runnable examples of the library, such as {@link dev.berth.examples.QuickStart}, compiled and run by
 * the build so that they cannot drift from the API.
 *
 * <p>Module {@code berth-examples}: depends on the library modules; nothing depends on it but tests.
 */
package dev.berth.examples;
