/** Berth testkit. See the module's pom.xml for its role. */
module dev.berth.testkit {
    requires transitive dev.berth.core;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;

    exports dev.berth.testkit.registry;
}
