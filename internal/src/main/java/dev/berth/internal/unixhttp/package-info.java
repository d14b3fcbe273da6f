/**
 * A minimal HTTP/1.1 client over unix-domain sockets for Docker's plugin protocol: the socket probe
 * and activation call of the runtime supervisor, and the transport of the runtime module's plugin
 * client. Not a public API.
 */
package dev.berth.internal.unixhttp;
