package dev.berth.exception;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.oci.Digest;
import org.junit.jupiter.api.Test;

class PluginExceptionTest {
    @Test
    void factories_useDockersMessagesAndClasses() {
        assertThat(NotFoundException.plugin("x")).hasMessage("plugin \"x\" not found")
                .extracting(PluginException::category).isEqualTo(PluginException.Category.NOT_FOUND);
        assertThat(InvalidParameterException.ambiguousPrefix("ab")).hasMessage("multiple plugins found for \"ab\"")
                .extracting(PluginException::category).isEqualTo(PluginException.Category.INVALID_PARAMETER);
        assertThat(ConflictException.enabled("x:latest")).hasMessage("plugin x:latest is enabled");
        assertThat(ConflictException.disabled("x:latest")).hasMessage("plugin x:latest found but disabled");
        assertThat(ConflictException.inUse("x:latest")).hasMessage("plugin x:latest is in use");
        assertThat(ConflictException.alreadyExists("x:latest")).hasMessage("plugin x:latest already exists")
                .extracting(PluginException::category).isEqualTo(PluginException.Category.CONFLICT);
    }

    @Test
    void categories_mapToEngineApiStatus() {
        assertThat(new UnauthorizedException("u").category().httpStatus()).isEqualTo(401);
        assertThat(new ForbiddenException("f").category().httpStatus()).isEqualTo(403);
        assertThat(new UnavailableException("u").category().httpStatus()).isEqualTo(503);
        assertThat(new SystemException("s").category().httpStatus()).isEqualTo(500);
        assertThat(NotFoundException.plugin("x").category().httpStatus()).isEqualTo(404);
        assertThat(ConflictException.enabled("x").category().httpStatus()).isEqualTo(409);
    }

    @Test
    void digestMismatch_namesBothSides() {
        Digest expected = Digest.sha256("a");
        Digest actual = Digest.sha256("b");
        DigestMismatchException e = new DigestMismatchException("layer", expected, actual);
        assertThat(e).hasMessageContaining(expected.toString()).hasMessageContaining(actual.toString());
        assertThat(e.expected()).isEqualTo(expected);
        assertThat(e.actual()).isEqualTo(actual);
    }

    @Test
    void everyCategory_isARuntimeException() {
        assertThat(new SystemException("s", new java.io.IOException("io"))).isInstanceOf(RuntimeException.class)
                .hasCauseInstanceOf(java.io.IOException.class);
    }
}
