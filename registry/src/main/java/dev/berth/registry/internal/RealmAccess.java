package dev.berth.registry.internal;

import java.net.URI;

/** Exposes the realm check to the module's tests. */
public final class RealmAccess {
    private RealmAccess() {
    }

    /** See {@code Authorizer.checkRealm}. */
    public static URI check(URI registry, String realm) {
        return Authorizer.checkRealm(registry.getHost(), registry, realm);
    }
}
