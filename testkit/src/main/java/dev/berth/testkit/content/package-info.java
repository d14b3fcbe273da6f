/**
 * Test support for {@link dev.berth.content.ContentStore}s: {@link
 * dev.berth.testkit.content.InMemoryContentStore}, a fake for tests, and {@link
 * dev.berth.testkit.content.ContentStoreContract}, the suite every implementation (Berth's and users')
 * must pass.
 */
package dev.berth.testkit.content;
