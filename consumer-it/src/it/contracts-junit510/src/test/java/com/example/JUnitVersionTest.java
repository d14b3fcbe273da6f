package com.example;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The suites above ran on the user's JUnit 5.10, not on one that berth-testkit brought along. */
class JUnitVersionTest {
    @Test
    void junitOnTestClassPath_isTheUsers_5_10() {
        assertThat(Test.class.getPackage().getImplementationVersion()).startsWith("5.10.");
    }
}
