/**
 * The {@code berth} command ({@link dev.berth.cli.Berth}): {@code docker plugin}'s verbs, flags, output
 * formats, prompts and exit codes on a plugin root of its own. Uses Berth's public API only.
 *
 * <p>Module {@code berth-cli}: a tool, not a library; nothing depends on it.
 */
package dev.berth.cli;
