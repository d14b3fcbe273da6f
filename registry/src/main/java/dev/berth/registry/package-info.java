/** The OCI distribution client and Docker credentials. */
package dev.berth.registry;
