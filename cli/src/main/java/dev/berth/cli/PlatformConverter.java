package dev.berth.cli;

import dev.berth.oci.InvalidPlatformException;
import dev.berth.oci.Platform;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Turns {@code --platform os/arch[/variant]} into a {@link Platform}; a malformed one is a usage error. */
final class PlatformConverter implements ITypeConverter<Platform> {
    @Override
    public Platform convert(String value) {
        try {
            return Platform.parse(value);
        } catch (InvalidPlatformException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
