/** Per-blob progress of pulls and pushes, in Docker's vocabulary. */
package dev.berth.progress;
