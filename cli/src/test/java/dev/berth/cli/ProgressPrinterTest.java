package dev.berth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.progress.ProgressEvent;
import dev.berth.progress.ProgressStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProgressPrinterTest {
    private final StringWriter sink = new StringWriter();

    private ProgressPrinter printer(boolean tty) {
        return new ProgressPrinter(new PrintWriter(sink, true), tty);
    }

    @Nested
    class Plain {
        @Test
        void progress_repeatedBytes_printsOneLinePerState() {
            ProgressPrinter p = printer(false);

            p.progress(new ProgressEvent("abc", ProgressStatus.DOWNLOADING, 10, 100));
            p.progress(new ProgressEvent("abc", ProgressStatus.DOWNLOADING, 50, 100));
            p.progress(new ProgressEvent("abc", ProgressStatus.DOWNLOAD_COMPLETE, 100, 100));
            p.finish();

            assertThat(sink.toString()).isEqualTo("abc: Downloading\nabc: Download complete\n");
        }
    }

    @Nested
    class Terminal {
        @Test
        void progress_bytes_redrawsOneLineThenEndsIt() {
            ProgressPrinter p = printer(true);

            p.progress(new ProgressEvent("abc", ProgressStatus.PUSHING, 0, 1000));
            p.progress(new ProgressEvent("abc", ProgressStatus.PUSHING, 500, 1000));
            p.progress(new ProgressEvent("abc", ProgressStatus.PUSHED, 1000, 1000));

            String out = sink.toString();
            assertThat(out).startsWith("\rabc: Pushing [").contains("500B/1.00kB").endsWith("\r\u001b[Kabc: Pushed\n");
            assertThat(out.chars().filter(c -> c == '\n').count()).isEqualTo(1);
        }

        @Test
        void finish_midBar_endsTheLine() {
            ProgressPrinter p = printer(true);
            p.progress(new ProgressEvent("abc", ProgressStatus.DOWNLOADING, 1, 2));

            p.finish();

            assertThat(sink.toString()).endsWith("\n");
        }
    }

    @ParameterizedTest
    @CsvSource({"0, 0B", "999, 999B", "1000, 1.00kB", "1430000, 1.43MB", "5000000000, 5.00GB"})
    void human_sizes_areDockersDecimalUnits(long bytes, String text) {
        assertThat(ProgressPrinter.human(bytes)).isEqualTo(text);
    }

    @ParameterizedTest
    @CsvSource({"0, 100, '[                                        ] 0B/100B'",
            "50, 100, '[===================>                    ] 50B/100B'",
            "100, 100, '[=======================================>] 100B/100B'",
            "7, 0, '7B'"})
    void bar_fractions_fillProportionally(long current, long total, String bar) {
        assertThat(ProgressPrinter.bar(current, total)).isEqualTo(bar);
    }
}
