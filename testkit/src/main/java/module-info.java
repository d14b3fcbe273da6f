/** Berth testkit. See the module's pom.xml for its role. */
module dev.berth.testkit {
    requires transitive dev.berth.core;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;

    exports dev.berth.testkit.remote;
    requires org.junit.jupiter.params;

    exports dev.berth.testkit.content;
    exports dev.berth.testkit.runtime;
}
