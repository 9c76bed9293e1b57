<?php
// Test-only: starts a real polku-server on 127.0.0.1 (ports 0, read back
// from --ready_file) with a temporary data directory and an API key made
// by `polku keys create`, and stops it. Binaries come from POLKU_SERVER_BIN
// and POLKU_CLI_BIN; rules from POLKU_RULES, else the source tree's
// deploy/config/rules.yaml. ui() runs `polku ui` (learner widget secrets) on
// the same data directory.

/** A polku-server process for live tests. */
class polku_test_server {
    /** Scopes the plugin's key needs. */
    public const SCOPES = 'events:write,feedback:write,recommendations:read,catalogue:write,insights:read,' .
        'privacy:delete,privacy:export';

    /** @var string */
    public $datadir;
    /** @var string */
    public $apikey;
    /** @var int */
    public $httpport = 0;
    /** @var resource|null */
    private $process;

    /**
     * Reasons the live tests cannot run here, or null.
     *
     * @return string|null
     */
    public static function unavailable(): ?string {
        foreach (['POLKU_SERVER_BIN', 'POLKU_CLI_BIN'] as $var) {
            $bin = getenv($var);
            if ($bin === false || $bin === '' || !is_executable($bin)) {
                return "$var is not set to an executable polku binary";
            }
        }
        return null;
    }

    /**
     * Makes a data directory and an API key, then starts the server.
     *
     * @param string $tenant tenant of the key
     */
    public function __construct(string $tenant = 'moodle-test') {
        $this->datadir = sys_get_temp_dir() . '/polku-moodle-' . bin2hex(random_bytes(6));
        mkdir($this->datadir, 0700, true);
        $cmd = escapeshellarg(getenv('POLKU_CLI_BIN')) . ' keys create --data_dir=' . escapeshellarg($this->datadir) .
            ' --tenant=' . escapeshellarg($tenant) . ' --scopes=' . self::SCOPES . ' --name=moodle-test 2>/dev/null';
        $this->apikey = trim((string)shell_exec($cmd));
        if (strpos($this->apikey, 'polku_') !== 0) {
            throw new RuntimeException('polku keys create failed');
        }
        $this->start();
    }

    /**
     * Starts (or restarts) the server on the same data directory.
     */
    public function start(): void {
        $ready = $this->datadir . '/ready.json';
        @unlink($ready);
        $rules = getenv('POLKU_RULES') ?: dirname(POLKU_MOODLE_PLUGINS, 2) . '/deploy/config/rules.yaml';
        $args = [getenv('POLKU_SERVER_BIN'), '--grpc_address=127.0.0.1:0', '--metrics_address=127.0.0.1:0',
            '--http_address=127.0.0.1:0', '--data_dir=' . $this->datadir, '--rules=' . $rules,
            '--ready_file=' . $ready, '--shutdown_grace_seconds=2'];
        $log = fopen($this->datadir . '/server.log', 'a');
        $this->process = proc_open($args, [0 => ['file', '/dev/null', 'r'], 1 => $log, 2 => $log], $pipes);
        $deadline = microtime(true) + 30;
        while (microtime(true) < $deadline) {
            $json = @file_get_contents($ready);
            $ports = $json ? json_decode($json, true) : null;
            if (!empty($ports['http_port'])) {
                $this->httpport = (int)$ports['http_port'];
                return;
            }
            if (!proc_get_status($this->process)['running']) {
                break;
            }
            usleep(50000);
        }
        throw new RuntimeException('polku-server did not start: ' . @file_get_contents($this->datadir . '/server.log'));
    }

    /**
     * Runs `polku ui ACTION ...` on this server's data directory (its
     * ui_tenants.json, which a running server re-reads within a second).
     *
     * @param string $action secret, frame-ancestors, token or show
     * @param string[] $flags e.g. '--tenant=moodle-test'
     * @return string what the command printed on stdout, trimmed
     */
    public function ui(string $action, string ...$flags): string {
        $cmd = escapeshellarg(getenv('POLKU_CLI_BIN')) . ' ui ' . escapeshellarg($action) .
            ' --data_dir=' . escapeshellarg($this->datadir);
        foreach ($flags as $flag) {
            $cmd .= ' ' . escapeshellarg($flag);
        }
        exec($cmd . ' 2>/dev/null', $out, $rc);
        if ($rc !== 0) {
            throw new RuntimeException("polku ui $action failed ($rc)");
        }
        return trim(implode("\n", $out));
    }

    /**
     * Polku's HTTP base URL.
     *
     * @return string
     */
    public function endpoint(): string {
        return 'http://127.0.0.1:' . $this->httpport;
    }

    /**
     * Stops the server (SIGTERM, then SIGKILL after 10 s).
     */
    public function stop(): void {
        if ($this->process === null) {
            return;
        }
        proc_terminate($this->process, 15);
        $deadline = microtime(true) + 10;
        while (proc_get_status($this->process)['running'] && microtime(true) < $deadline) {
            usleep(50000);
        }
        if (proc_get_status($this->process)['running']) {
            proc_terminate($this->process, 9);
        }
        proc_close($this->process);
        $this->process = null;
    }

    /**
     * Stops the server and removes its data directory.
     */
    public function destroy(): void {
        $this->stop();
        if (is_dir($this->datadir)) {
            exec('rm -rf ' . escapeshellarg($this->datadir));
        }
    }
}
