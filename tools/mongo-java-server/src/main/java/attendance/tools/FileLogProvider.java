package attendance.tools;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.Logger;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;
import org.slf4j.helpers.NOPMDCAdapter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * SLF4J binding of the stand-in (chosen by the Launcher through the "slf4j.provider" property):
 * records go to a CappedLogFile, with routine errors demoted by LogPolicy. slf4j-simple could do
 * neither (no size cap, no per-error levels). System properties:
 * standin.logFile (absent: stderr), standin.logMaxBytes (default 10 MB),
 * standin.logLevel for the library's loggers (default error; ours log at info).
 */
public final class FileLogProvider implements SLF4JServiceProvider {
    private static final long DEFAULT_MAX_BYTES = 10L * 1024 * 1024;

    private final IMarkerFactory markers = new BasicMarkerFactory();
    private final MDCAdapter mdc = new NOPMDCAdapter();
    private ILoggerFactory loggers;

    public FileLogProvider() {
        // public and argument-free: SLF4J instantiates it by name
    }

    @Override
    public void initialize() {
        String file = System.getProperty("standin.logFile");
        CappedLogFile out = new CappedLogFile(file == null || file.isEmpty() ? null : Path.of(file),
            Long.getLong("standin.logMaxBytes", DEFAULT_MAX_BYTES));
        Level threshold = Level.valueOf(System.getProperty("standin.logLevel", "error").toUpperCase(Locale.ROOT));
        ConcurrentMap<String, Logger> byName = new ConcurrentHashMap<>();
        loggers = name -> byName.computeIfAbsent(name, n -> new FileLogger(n, threshold, out));
    }

    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggers;
    }

    @Override
    public IMarkerFactory getMarkerFactory() {
        return markers;
    }

    @Override
    public MDCAdapter getMDCAdapter() {
        return mdc;
    }

    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }

    private static final class FileLogger extends LegacyAbstractLogger {
        private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
        private final int threshold;
        private final transient CappedLogFile out;

        FileLogger(String name, Level libraryThreshold, CappedLogFile out) {
            this.name = name;
            this.out = out;
            // Our own few lines (start, store, failures) are always kept.
            boolean ours = name.startsWith("attendance.");
            this.threshold = ours ? Math.min(libraryThreshold.toInt(), Level.INFO.toInt()) : libraryThreshold.toInt();
        }

        private boolean enabled(Level level) {
            return level.toInt() >= threshold;
        }

        @Override
        public boolean isTraceEnabled() {
            return enabled(Level.TRACE);
        }

        @Override
        public boolean isDebugEnabled() {
            return enabled(Level.DEBUG);
        }

        @Override
        public boolean isInfoEnabled() {
            return enabled(Level.INFO);
        }

        @Override
        public boolean isWarnEnabled() {
            return enabled(Level.WARN);
        }

        @Override
        public boolean isErrorEnabled() {
            return enabled(Level.ERROR);
        }

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable thrown) {
            Level effective = LogPolicy.levelFor(level, thrown);
            if (!enabled(effective)) {
                return; // dropped before any formatting: a flood of routine errors costs next to nothing
            }
            StringWriter record = new StringWriter();
            record.append(LocalDateTime.now().format(TIME)).append(" [").append(Thread.currentThread().getName())
                .append("] ").append(effective.toString()).append(' ').append(name).append(" - ")
                .append(MessageFormatter.basicArrayFormat(pattern, args)).append(System.lineSeparator());
            if (thrown != null) {
                thrown.printStackTrace(new PrintWriter(record));
            }
            out.write(record.toString());
        }
    }
}
