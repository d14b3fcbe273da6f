/**
 * Docker-shaped JSON of the plugin model ({@link dev.berth.json.DockerJson}), for tools that print or
 * post-process what {@code docker plugin} prints.
 */
package dev.berth.json;
