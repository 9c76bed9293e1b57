<?php
// Test-only consistency check of local_polku and block_polku: version.php,
// db/install.xml, db/events.php, db/tasks.php, db/services.php, db/access.php
// and the English and Finnish lang files agree with each other and with the
// code. Prints one line per problem and exits 1 when there is any.

define('MATURITY_BETA', 100);
define('CONTEXT_SYSTEM', 10);
define('CONTEXT_BLOCK', 80);
define('CAP_ALLOW', 1);
define('RISK_SPAM', 0x0004);
define('RISK_XSS', 0x0008);
require_once('PHPUnit/Autoload.php');
require_once(__DIR__ . '/bootstrap.php');

$root = dirname(__DIR__);
$problems = [];
$fail = static function(string $msg) use (&$problems): void {
    $problems[] = $msg;
};
$load = static function(string $file, string $var) {
    $plugin = new stdClass();
    include($file);
    return $$var;
};
$sources = static function(string $dir): array {
    $out = [];
    $it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator($dir, FilesystemIterator::SKIP_DOTS));
    foreach ($it as $f) {
        if (preg_match('/\.(php|mustache|js)$/', $f->getFilename()) && strpos($f->getPathname(), '/tests/') === false
                && strpos($f->getPathname(), '/lang/') === false) {
            $out[$f->getPathname()] = file_get_contents($f->getPathname());
        }
    }
    return $out;
};

foreach (['local_polku' => 'local/polku', 'block_polku' => 'blocks/polku'] as $component => $installpath) {
    $dir = "$root/$component";
    $plugin = $load("$dir/version.php", 'plugin');
    if (($plugin->component ?? '') !== $component) {
        $fail("$component/version.php: component is '" . ($plugin->component ?? '') . "'");
    }
    if (!preg_match('/^20\d{8}$/', (string)($plugin->version ?? ''))) {
        $fail("$component/version.php: version must be YYYYMMDDXX");
    }
    if (($plugin->requires ?? 0) < 2023100900) {
        $fail("$component/version.php: requires must be Moodle 4.3 (2023100900) or later");
    }
    if ($component === 'local_polku' && ($plugin->release ?? '') !== \local_polku\payload_builder::RELEASE) {
        $fail("local_polku/version.php: release differs from payload_builder::RELEASE");
    }
    $en = $load("$dir/lang/en/$component.php", 'string');
    $fi = $load("$dir/lang/fi/$component.php", 'string');
    foreach (array_diff(array_keys($en), array_keys($fi)) as $k) {
        $fail("$component/lang/fi: missing '$k'");
    }
    foreach (array_diff(array_keys($fi), array_keys($en)) as $k) {
        $fail("$component/lang/fi: '$k' is not in lang/en");
    }
    $same = array_keys(array_intersect_assoc($en, $fi));
    $same = array_diff($same, ['pluginname', 'error:polku']);
    if (count($same) > 0) {
        $fail("$component/lang/fi: not translated: " . implode(', ', $same));
    }
    foreach ($en as $k => $v) {
        foreach (['{$a}', '{$a->'] as $ph) {
            preg_match_all('/\{\$a(->\w+)?\}/', $v, $m1);
            preg_match_all('/\{\$a(->\w+)?\}/', $fi[$k] ?? '', $m2);
            sort($m1[0]);
            sort($m2[0]);
            if ($m1[0] !== $m2[0]) {
                $fail("$component/lang/fi: '$k' has other placeholders than English");
                break;
            }
        }
    }
    // Every string the code asks for exists.
    $used = [];
    foreach ($sources($dir) as $file => $text) {
        preg_match_all("/get_string\\('([^']+)', '$component'/", $text, $m);
        preg_match_all("/\\{\\{#str\\}\\}\\s*([\\w:]+),\\s*$component/", $text, $m2);
        preg_match_all("/getString\\('([^']+)', '$component'\\)/", $text, $m3);
        preg_match_all("/'(privacy:metadata:[\\w:]+)'/", $text, $m4);
        foreach (array_merge($m[1], $m2[1], $m3[1], $m4[1]) as $id) {
            $used[$id] = basename($file);
        }
    }
    foreach ($used as $id => $file) {
        if (!isset($en[$id])) {
            $fail("$component/lang/en: '$id' used in $file is missing");
        }
    }
    if (is_file("$dir/db/access.php")) {
        foreach (array_keys($load("$dir/db/access.php", 'capabilities')) as $cap) {
            $id = substr($cap, strpos($cap, '/') + 1);
            if (!isset($en[$id])) {
                $fail("$component/lang/en: capability string '$id' is missing");
            }
        }
    }
    if (is_file("$dir/db/install.xml")) {
        $xml = simplexml_load_file("$dir/db/install.xml");
        if ((string)$xml['PATH'] !== "$installpath/db") {
            $fail("$component/db/install.xml: PATH must be $installpath/db");
        }
        foreach ($xml->TABLES->TABLE as $t) {
            if (strpos((string)$t['NAME'], $component . '_') !== 0 && (string)$t['NAME'] !== substr($component, 6)) {
                $fail("$component/db/install.xml: table {$t['NAME']} lacks the component prefix");
            }
            $fields = [];
            foreach ($t->FIELDS->FIELD as $f) {
                $fields[] = (string)$f['NAME'];
            }
            foreach ($t->INDEXES->INDEX ?? [] as $i) {
                foreach (array_map('trim', explode(',', (string)$i['FIELDS'])) as $f) {
                    if (!in_array($f, $fields, true)) {
                        $fail("$component/db/install.xml: index {$i['NAME']} names unknown field $f");
                    }
                }
            }
            if ((string)$t['NAME'] === \local_polku\outbox\outbox::TABLE) {
                $record = ['eventid', 'eventname', 'userid', 'contextid', 'payload', 'enrichment', 'status',
                    'attempts', 'nextattempt', 'lasterror', 'timecreated'];
                foreach (array_diff($record, $fields) as $missing) {
                    $fail("$component/db/install.xml: outbox field $missing is missing");
                }
            }
        }
    }
    if (is_file("$dir/db/events.php")) {
        $observers = $load("$dir/db/events.php", 'observers');
        $names = array_map(static fn($o) => ltrim($o['eventname'], '\\'), $observers);
        $expected = \local_polku\supported_events::names();
        foreach (array_diff($expected, $names) as $n) {
            $fail("$component/db/events.php: no observer for supported event \\$n");
        }
        foreach (array_diff($names, $expected) as $n) {
            $fail("$component/db/events.php: \\$n is observed but not in supported_events");
        }
        foreach ($observers as $o) {
            [$class, $method] = explode('::', ltrim($o['callback'], '\\'));
            if (!method_exists($class, $method)) {
                $fail("$component/db/events.php: callback {$o['callback']} does not exist");
            }
            if (($o['internal'] ?? true) !== true) {
                $fail("$component/db/events.php: {$o['eventname']} must be internal (same transaction)");
            }
        }
    }
    if (is_file("$dir/db/tasks.php")) {
        foreach ($load("$dir/db/tasks.php", 'tasks') as $task) {
            $class = ltrim($task['classname'], '\\');
            $file = "$dir/classes/" . str_replace('\\', '/', substr($class, strlen($component) + 1)) . '.php';
            if (!is_file($file)) {
                $fail("$component/db/tasks.php: $class has no file");
                continue;
            }
            if (!preg_match("/get_string\\('(task:\\w+)', '$component'\\)/", file_get_contents($file), $m) ||
                    !isset($en[$m[1]])) {
                $fail("$component/db/tasks.php: $class has no task name string");
            }
        }
    }
    if (is_file("$dir/db/services.php")) {
        foreach ($load("$dir/db/services.php", 'functions') as $name => $def) {
            if (strpos($name, $component . '_') !== 0) {
                $fail("$component/db/services.php: $name lacks the component prefix");
            }
            $class = ltrim($def['classname'], '\\');
            $file = "$dir/classes/" . str_replace('\\', '/', substr($class, strlen($component) + 1)) . '.php';
            $text = is_file($file) ? file_get_contents($file) : '';
            foreach (['execute_parameters', 'execute', 'execute_returns'] as $m) {
                if (!preg_match("/public static function $m\\(/", $text)) {
                    $fail("$component/db/services.php: $class lacks $m()");
                }
            }
            if (empty($def['ajax'])) {
                $fail("$component/db/services.php: $name must be callable by AJAX");
            }
            $caps = $load("$dir/db/access.php", 'capabilities');
            if (!empty($def['capabilities']) && !isset($caps[$def['capabilities']])) {
                $fail("$component/db/services.php: $name names unknown capability {$def['capabilities']}");
            }
        }
    }
    if (!is_file("$dir/classes/privacy/provider.php")) {
        $fail("$component: no privacy provider");
    }
}

foreach ($problems as $p) {
    echo $p, "\n";
}
echo count($problems) === 0 ? "plugins consistent\n" : count($problems) . " problems\n";
exit(count($problems) === 0 ? 0 : 1);
