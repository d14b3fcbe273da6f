package dev.berth.benchmarks.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.benchmarks.e2e.Report.Tool;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class ReportTest {
    static Report sample() {
        Report r = new Report();
        for (double d : new double[] {3.0, 1.0, 2.0}) {
            r.add("install (https)", Tool.BERTH_CLI, d);
        }
        r.add("install (https)", Tool.DOCKER, 4.0);
        r.add("install (https)", Tool.DOCKER, 2.0);
        r.add("install (https)", Tool.FLOOR, 1.0);
        r.add("create", Tool.BERTH_CLI, Double.NaN);
        r.add("create", Tool.DOCKER, 4.4);
        return r;
    }

    @Nested
    class Median {
        @Test
        void median_oddAndEvenCounts_middleOrMeanOfMiddles() {
            Report r = sample();
            assertThat(r.median("install (https)", Tool.BERTH_CLI)).hasValue(2.0);
            assertThat(r.median("install (https)", Tool.DOCKER)).hasValue(3.0);
        }

        @Test
        void median_onlyFailedRuns_empty() {
            assertThat(sample().median("create", Tool.BERTH_CLI)).isEmpty();
        }
    }

    @Nested
    class Markdown {
        @Test
        void markdown_samples_rowsInRecordedOrderWithMediansAndRatios() {
            String md = sample().markdown();
            assertThat(md.lines().toList()).hasSize(4);
            assertThat(md.lines().skip(2).findFirst().orElseThrow())
                    .isEqualTo("| install (https) | 2.00 s | – | 3.00 s | 1.00 s | 0.67 | – | 2.00 | – |");
            assertThat(md).contains("| create | – (1 failed) | – | 4.40 s | – |");
        }
    }

    @Nested
    class Svg {
        @Test
        void svg_samples_oneBarPerMedianScaledToTheLongest() {
            String svg = sample().svg("t & <title>");
            assertThat(svg).startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"").endsWith("</svg>\n");
            assertThat(svg).contains("t &amp; &lt;title&gt;");
            // 3 medians for install, 1 for create (the failed CLI create draws nothing), plus 4 legend swatches and the background
            assertThat(svg.split("<rect ", -1)).hasSize(1 + 4 + 1 + 4);
            assertThat(svg).contains("width=\"520.0\" height=\"14\" fill=\"#d62728\"><title>docker plugin: 4.40 s</title>");
        }
    }
}
