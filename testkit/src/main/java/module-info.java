/** Berth testkit. See the module's pom.xml for its role. */
module dev.berth.testkit {
    requires transitive dev.berth.core;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;
    requires org.junit.jupiter.params;

    exports dev.berth.testkit.content;
    // JUnit calls the contract's package-private test methods reflectively.
    opens dev.berth.testkit.content to org.junit.platform.commons;
}
