package dev.berth.registry;

import java.net.URI;

/** Test access to the realm validation. */
final class RealmCheck {
    private RealmCheck() {
    }

    static URI check(URI registry, String realm) {
        return dev.berth.registry.internal.RealmAccess.check(registry, realm);
    }
}
