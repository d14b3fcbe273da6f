package dev.berth.archive.internal;

import java.nio.file.FileSystem;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What names the destination file system can hold, past the layer's own rules ({@link Names}). A layer is
 * made for Linux, where any byte but NUL and {@code '/'} may appear in a name; IDE users also keep roots on
 * Windows, whose file systems take {@code '\\'} and {@code ':'} as syntax and refuse device names. There a
 * name like {@code a\..\..\x} would be read as several components and {@code CON} would open a device, so
 * such names are refused as malformed instead of being handed to the file system.
 *
 * <p>Case folding (macOS and Windows defaults) needs no rule here: the root resolver looks every
 * component up on the file system itself, so {@code lib} finds a symlink named {@code Lib}.
 */
public final class FileSystemNames {
    private static final FileSystemNames ANY = new FileSystemNames(false);
    private static final FileSystemNames WINDOWS = new FileSystemNames(true);
    /** Windows's reserved device names; an extension does not make them safe ({@code nul.txt} is NUL). */
    private static final Set<String> DEVICES = Set.of("CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
            "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
            "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9");
    private static final String WINDOWS_SYNTAX = "<>:\"\\|?*";

    private final boolean windows;

    private FileSystemNames(boolean windows) {
        this.windows = windows;
    }

    /** The rules for a file system: Windows's where its separator is a backslash, none beyond the layer's otherwise. */
    public static FileSystemNames of(FileSystem fs) {
        return fs.getSeparator().equals("\\") ? WINDOWS : ANY;
    }

    /**
     * Checks the components of a cleaned entry name.
     *
     * @throws dev.berth.rootfs.ArchiveException {@code MALFORMED} for a name this file system cannot hold
     *                                           as one plain file name
     */
    public void check(List<String> parts, String entry) {
        if (!windows) {
            return;
        }
        for (String part : parts) {
            String why = windowsRefusal(part);
            if (why != null) {
                throw Errors.malformed(Names.abbreviate(entry), "cannot be stored on Windows: " + why);
            }
        }
    }

    private static String windowsRefusal(String part) {
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c < 0x20) {
                return "it holds a control character";
            }
            if (WINDOWS_SYNTAX.indexOf(c) >= 0) {
                return "'" + c + "' is not allowed in a file name";
            }
        }
        char last = part.charAt(part.length() - 1);
        if (last == '.' || last == ' ') {
            return "a file name may not end with '" + last + "'";
        }
        int dot = part.indexOf('.');
        String stem = (dot < 0 ? part : part.substring(0, dot)).stripTrailing().toUpperCase(Locale.ROOT);
        if (DEVICES.contains(stem)) {
            return "'" + stem + "' is a reserved device name";
        }
        return null;
    }
}
