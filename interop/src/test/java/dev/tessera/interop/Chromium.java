package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Debian's Chromium ({@code /usr/bin/chromium}), headless, driven through Debian's chromedriver
 * ({@code /usr/bin/chromedriver}); both installed by {@code interop/setup.sh}. Selenium Manager is never
 * run: the driver's path is given to the service, the browser's to the options, so nothing is downloaded.
 *
 * <p>Trust: Chromium on Linux does not read the system trust store ({@code update-ca-certificates}) for
 * locally added roots; it reads the NSS database in {@code $HOME/.pki/nssdb} (checked: with only the system
 * store it refuses the issuer with {@code ERR_CERT_AUTHORITY_INVALID}). So every browser gets its own
 * {@code HOME} in a temporary directory with a fresh NSS database into which {@code certutil} (package
 * {@code libnss3-tools}) imports the interop test CA as a trusted TLS root ({@code -t C,,}); the browser
 * inherits {@code HOME} from chromedriver. Certificate errors are NOT ignored: a page served with a
 * certificate from another CA would fail to load.
 *
 * <p>The temporary directory also holds the profile ({@code --user-data-dir}) and is deleted on close.
 * {@code --no-sandbox} is passed only when running as root (Chromium refuses to start as root otherwise).
 */
final class Chromium implements AutoCloseable {
    static final Path BROWSER = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Path CERTUTIL = Path.of("/usr/bin/certutil");

    private final Path dir;
    private final ChromeDriverService service;
    private final ChromeDriver driver;

    private Chromium(Path dir, ChromeDriverService service, ChromeDriver driver) {
        this.dir = dir;
        this.service = service;
        this.driver = driver;
    }

    /** A new headless browser that trusts {@code caPem} (and only the CAs Chromium trusts anyway). */
    static Chromium start(Path caPem, Path driverLog) throws IOException {
        for (Path binary : List.of(BROWSER, DRIVER, CERTUTIL)) {
            assertThat(Files.isExecutable(binary)).as("%s is missing: run interop/setup.sh as root", binary).isTrue();
        }
        Path dir = Files.createTempDirectory("tessera-chromium");
        try {
            Path home = Files.createDirectories(dir.resolve("home"));
            Path nssdb = Files.createDirectories(home.resolve(".pki/nssdb"));
            certutil("-N", "-d", "sql:" + nssdb, "--empty-password");
            certutil("-A", "-d", "sql:" + nssdb, "-n", "Tessera Interop Test CA", "-t", "C,,", "-i", caPem.toString());
            assertThat(certutil("-L", "-d", "sql:" + nssdb)).contains("Tessera Interop Test CA");

            Files.createDirectories(driverLog.getParent());
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(DRIVER.toFile())
                    .usingAnyFreePort()
                    .withEnvironment(Map.of("HOME", home.toString())) // chromium inherits it: the NSS db above
                    .withLogFile(driverLog.toFile())
                    .build();
            ChromeOptions options = new ChromeOptions();
            options.setBinary(BROWSER.toFile());
            options.addArguments("--headless=new", "--user-data-dir=" + dir.resolve("profile"),
                    "--window-size=1024,900", "--disable-dev-shm-usage", "--no-first-run", "--no-default-browser-check",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--password-store=basic", "--lang=en-US");
            if (isRoot()) {
                options.addArguments("--no-sandbox");
            }
            LoggingPreferences logs = new LoggingPreferences();
            logs.enable(LogType.BROWSER, Level.ALL); // the console: CSP violations and script errors land here
            options.setCapability(ChromeOptions.LOGGING_PREFS, logs);
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60)).scriptTimeout(Duration.ofSeconds(30));
            return new Chromium(dir, service, driver);
        } catch (IOException | RuntimeException | Error e) {
            delete(dir);
            throw e;
        }
    }

    ChromeDriver driver() {
        return driver;
    }

    /** Forgets every cookie (a person on a fresh browser): Chrome's own command, for all sites at once. */
    void clearCookies() {
        driver.executeCdpCommand("Network.clearBrowserCookies", Map.of());
    }

    /** What the console received since the last call (the driver hands each entry out once). */
    List<LogEntry> console() {
        return new ArrayList<>(driver.manage().logs().get(LogType.BROWSER).getAll());
    }

    /** Saves a PNG of the viewport as {@code target}. */
    void screenshot(Path target) throws IOException {
        Files.createDirectories(target.getParent());
        File png = driver.getScreenshotAs(OutputType.FILE);
        Files.copy(png.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }

    String version() {
        return String.valueOf(driver.getCapabilities().getBrowserVersion());
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    private static String certutil(String... args) throws IOException {
        String[] command = Stream.concat(Stream.of(CERTUTIL.toString()), Stream.of(args)).toArray(String[]::new);
        Peers.Result result = Peers.run(Map.of(), command);
        assertThat(result.exit()).as("certutil %s: %s", String.join(" ", args), result.output()).isZero();
        return result.stdout();
    }

    private static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is not a test failure
        }
    }

    @Override
    public void close() {
        try {
            driver.quit(); // ends the browser and chromedriver's session
        } finally {
            try {
                service.stop(); // the chromedriver process this object started
            } finally {
                delete(dir);
            }
        }
    }
}
