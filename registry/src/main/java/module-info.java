/** Berth registry. See the module's pom.xml for its role. */
module dev.berth.registry {
    requires transitive dev.berth.core;
    requires org.slf4j;
}
