/** Berth runtime. See the module's pom.xml for its role. */
module dev.berth.runtime {
    requires transitive dev.berth.core;
    requires org.slf4j;
}
