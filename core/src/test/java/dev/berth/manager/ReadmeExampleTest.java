package dev.berth.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Testing your code with Berth" example is {@code com.example.plugins.PluginLifecycleTest},
 * which this build compiles and runs: the block must stay identical to that file, and it may import
 * only what a user has (packages the api, core and testkit modules export, Jimfs, JUnit, the JDK).
 */
class ReadmeExampleTest {
    private static final Path CORE = Path.of("").toAbsolutePath();
    private static final Path README = CORE.getParent().resolve("README.md");
    private static final Path EXAMPLE = CORE.resolve("src/test/java/com/example/plugins/PluginLifecycleTest.java");

    /** The first java block of the section, as the consumer build extracts it. */
    static String block() throws IOException {
        String text = Files.readString(README, StandardCharsets.UTF_8);
        int section = text.indexOf("\n## Testing your code with Berth\n");
        assertThat(section).as("README has the section").isNotNegative();
        int open = text.indexOf("\n```java\n", section);
        int next = text.indexOf("\n## ", section + 1);
        assertThat(open).as("the section has a java block").isNotNegative();
        assertThat(next < 0 || open < next).as("the java block is inside the section").isTrue();
        int start = open + "\n```java\n".length();
        return text.substring(start, text.indexOf("\n```", start) + 1);
    }

    @Test
    void readmeBlock_isTheTestThatRuns() throws IOException {
        assertThat(block()).isEqualTo(Files.readString(EXAMPLE, StandardCharsets.UTF_8));
    }

    @Test
    void readmeBlock_importsOnlyPublicApi() throws IOException {
        List<String> exported = new ArrayList<>();
        for (String module : List.of("api", "core", "testkit")) {
            String info = Files.readString(CORE.getParent().resolve(module + "/src/main/java/module-info.java"));
            // qualified exports ("exports x to y") are not for users
            Matcher m = Pattern.compile("(?m)^\\s*exports\\s+([\\w.]+)\\s*;").matcher(info);
            while (m.find()) {
                exported.add(m.group(1));
            }
        }
        assertThat(exported).contains("dev.berth", "dev.berth.runtime", "dev.berth.testkit.runtime");

        Matcher imports = Pattern.compile("(?m)^import\\s+(?:static\\s+)?([\\w.]+)\\.[\\w*]+\\s*;").matcher(block());
        int count = 0;
        while (imports.find()) {
            count++;
            String pkg = imports.group(1);
            if (pkg.startsWith("org.junit.jupiter.api.")) {
                pkg = "org.junit.jupiter.api"; // static imports name the class
            }
            assertThat(exported.contains(pkg) || pkg.startsWith("java.") || pkg.equals("com.google.common.jimfs")
                    || pkg.equals("org.junit.jupiter.api"))
                    .as("import from %s is public API of berth-core, berth-testkit, Jimfs or JUnit", pkg).isTrue();
        }
        assertThat(count).isGreaterThan(10);
    }
}
