/** Berth store. See the module's pom.xml for its role. */
module dev.berth.store {
    requires transitive dev.berth.core;
    requires org.slf4j;
}
