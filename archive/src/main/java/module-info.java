/** Berth archive. See the module's pom.xml for its role. */
module dev.berth.archive {
    requires transitive dev.berth.core;
    requires org.apache.commons.compress;
    requires org.slf4j;
}
