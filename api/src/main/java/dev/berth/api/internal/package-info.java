/**
 * The Go-exact JSON writer behind {@link dev.berth.runtime.RuntimeSpec#toJson()}, shared with the codecs
 * of Berth's own modules. Not an API: exported only to named Berth modules.
 */
package dev.berth.api.internal;
