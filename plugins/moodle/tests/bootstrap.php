<?php
// Test-only bootstrap: runs the Moodle-free classes of local_polku and
// block_polku under plain PHPUnit, without Moodle core. It is not part of
// either plugin and is never installed into Moodle. It provides:
// - an autoloader for \local_polku\... and \block_polku\... (Moodle's
//   classes/ convention);
// - the few Moodle core names those classes refer to, each a minimal
//   test-only stand-in: moodle_exception, coding_exception, basic_testcase;
// - support/moodle_curl.php (Moodle's \curl API over PHP's curl extension)
//   and support/sqlite_database.php (the moodle_database methods the outbox
//   uses, over SQLite, with tables made from db/install.xml).

defined('MOODLE_INTERNAL') || define('MOODLE_INTERNAL', true);
define('POLKU_MOODLE_PLUGINS', dirname(__DIR__));

spl_autoload_register(static function (string $class): void {
    foreach (['local_polku' => 'local_polku', 'block_polku' => 'block_polku'] as $ns => $dir) {
        if (strpos($class, $ns . '\\') === 0) {
            $file = POLKU_MOODLE_PLUGINS . '/' . $dir . '/classes/' .
                str_replace('\\', '/', substr($class, strlen($ns) + 1)) . '.php';
            if (is_file($file)) {
                require_once($file);
            }
        }
    }
});

if (!class_exists('moodle_exception')) {
    /** Test-only stand-in for Moodle's moodle_exception. */
    class moodle_exception extends \Exception {
        /** @var string */
        public $errorcode;
        /** @var string */
        public $module;
        /**
         * @param string $errorcode
         * @param string $module
         * @param string $link
         * @param mixed $a
         */
        public function __construct($errorcode, $module = '', $link = '', $a = null) {
            $this->errorcode = $errorcode;
            $this->module = $module;
            parent::__construct(is_string($a) ? $a : $errorcode);
        }
    }
    /** Test-only stand-in for Moodle's coding_exception. */
    class coding_exception extends moodle_exception {
        /**
         * @param string $hint
         */
        public function __construct($hint) {
            parent::__construct('codingerror', 'debug', '', $hint);
        }
    }
}
if (!class_exists('basic_testcase')) {
    /** Test-only stand-in for Moodle's basic_testcase, so plugin tests run in both. */
    abstract class basic_testcase extends \PHPUnit\Framework\TestCase {
    }
}
require_once(__DIR__ . '/support/moodle_curl.php');
require_once(__DIR__ . '/support/sqlite_database.php');
require_once(__DIR__ . '/support/polku_server.php');
