package attendance.tools;

import de.bwaldvogel.mongo.MongoServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts mongo-java-server on 127.0.0.1 and prints "LISTENING <port>" once it accepts
 * connections. Args: [port (0 = free port)] [h2 file path for persistence, optional].
 * Stops when stdin closes, so the Node parent that spawned it never leaves it orphaned.
 *
 * It writes nothing the parent has to read after that line: its log goes to its own file
 * (-Dstandin.logFile, see FileLogProvider). A stderr or stdout pipe that the parent stops draining
 * (its event loop busy) once stalled every server thread behind the logger.
 */
public final class Launcher {
    private static final int H2_WORKER_THREADS = 16;

    public static void main(String[] args) {
        // Before anything asks SLF4J for a logger: our file binding, and none of SLF4J's own notes.
        System.setProperty("slf4j.provider", FileLogProvider.class.getName());
        System.setProperty("slf4j.internal.verbosity", "WARN");
        Logger log = LoggerFactory.getLogger(Launcher.class);
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> log.error("Uncaught in thread {}", thread.getName(), e));
        try {
            run(args, log);
        } catch (Throwable e) {
            log.error("The stand-in stopped on an error", e);
            System.exit(1);
        }
    }

    private static void run(String[] args, Logger log) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        String h2File = args.length > 1 ? args[1] : null;
        MongoServer server = new MongoServer(h2File == null ? new SafeMemoryBackend() : new SafeH2Backend(h2File));
        // With a file, a write's thread waits for its fsync (DurableCommits); more threads than
        // Netty's default (2 per core) let more writes share each fsync and keep reads moving.
        server.bind(new InetSocketAddress("127.0.0.1", port), 1, h2File == null ? 0 : H2_WORKER_THREADS);
        InetSocketAddress address = server.getLocalAddress();
        log.info("Listening on 127.0.0.1:{} ({})", address.getPort(),
            h2File == null ? "in memory" : "H2 file " + h2File + ", committed and synced on every write");
        System.out.println("LISTENING " + address.getPort());
        System.out.flush();
        // Nothing more for the parent: anything a library might still print goes where stderr goes.
        System.setOut(System.err);
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        // Block until the parent closes our stdin (or dies), then stop.
        while (System.in.read() != -1) { /* ignore input */ }
        log.info("Stdin closed: stopping");
        server.shutdownNow();
        System.exit(0);
    }
}
