/**
 * Berth's one HTTP/1.1 client ({@link dev.berth.internal.http.Http1Client}): registry and token-server
 * requests over plain http and https (through HTTP proxies), and Docker's plugin protocol over a plugin's
 * unix socket. Strict response parsing, caller's thread only, no thread of its own. Not a public API.
 */
package dev.berth.internal.http;
