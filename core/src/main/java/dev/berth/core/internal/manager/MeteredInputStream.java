package dev.berth.core.internal.manager;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/**
 * A blob stream that checks for cancellation before every read and reports the bytes read so far about
 * every MiB and at the end. Used for downloads, layer application and uploads, so that a cancel or a
 * deadline stops even a long transfer within one buffer, and progress shows motion without drowning
 * listeners.
 */
public final class MeteredInputStream extends FilterInputStream {
    private static final long REPORT_EVERY = 1 << 20;

    private final Runnable check;
    private final LongConsumer report;
    private long count;
    private long reported;

    /**
     * @param check  called before every read; throws to stop the transfer
     * @param report called with the running byte count about every MiB, and once at the end of the stream
     */
    public MeteredInputStream(InputStream in, Runnable check, LongConsumer report) {
        super(in);
        this.check = check;
        this.report = report;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        check.run();
        int n = super.read(b, off, len);
        if (n > 0) {
            count += n;
            if (count - reported >= REPORT_EVERY) {
                reported = count;
                report.accept(count);
            }
        } else if (n < 0 && reported != count) {
            reported = count;
            report.accept(count);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        check.run();
        long skipped = super.skip(n);
        count += skipped;
        return skipped;
    }
}
