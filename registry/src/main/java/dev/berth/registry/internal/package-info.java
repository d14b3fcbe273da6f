/** Transport, auth and redirect handling behind the registry client. Not exported. */
package dev.berth.registry.internal;
