package attendance.tools;

import de.bwaldvogel.mongo.MongoServer;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * Starts mongo-java-server on 127.0.0.1 and prints "LISTENING <port>" once it accepts
 * connections. Args: [port (0 = free port)] [h2 file path for persistence, optional].
 * Stops when stdin closes, so the Node parent that spawned it never leaves it orphaned.
 */
public final class Launcher {
    public static void main(String[] args) throws IOException {
        // Server-side errors (behind "Unknown error" answers) go to stderr; the caller may keep a log.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        String h2File = args.length > 1 ? args[1] : null;
        MongoServer server = new MongoServer(h2File == null ? new SafeMemoryBackend() : new SafeH2Backend(h2File));
        server.bind("127.0.0.1", port);
        InetSocketAddress address = server.getLocalAddress();
        System.out.println("LISTENING " + address.getPort());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow));
        // Block until the parent closes our stdin (or dies), then stop.
        while (System.in.read() != -1) { /* ignore input */ }
        server.shutdownNow();
        System.exit(0);
    }
}
