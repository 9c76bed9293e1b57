<?php
// This file is part of Moodle - https://moodle.org/
//
// Moodle is free software: you can redistribute it and/or modify
// it under the terms of the GNU General Public License as published by
// the Free Software Foundation, either version 3 of the License, or
// (at your option) any later version.
//
// Moodle is distributed in the hope that it will be useful,
// but WITHOUT ANY WARRANTY; without even the implied warranty of
// MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
// GNU General Public License for more details.
//
// You should have received a copy of the GNU General Public License
// along with Moodle.  If not, see <https://www.gnu.org/licenses/>.

namespace local_polku;

/**
 * Builds Polku SourceEvents (proto3 JSON) from Moodle event data and the
 * facts only Moodle knows.
 *
 * The payload is Moodle's own event data, limited to the keys of
 * \core\event\base::get_data() (a log row's id, IP address, origin and
 * real user are left out). The mapping to Polku's schema is the server's job.
 * Pure; no Moodle API.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
final class payload_builder {
    /** The plugin's release (version.php), sent as adapter version. */
    public const RELEASE = '0.1.0';

    /** Keys of \core\event\base::get_data() that are sent. */
    public const EVENT_KEYS = ['eventname', 'component', 'action', 'target', 'objecttable', 'objectid',
        'crud', 'edulevel', 'contextid', 'contextlevel', 'contextinstanceid', 'userid', 'courseid',
        'relateduserid', 'anonymous', 'other', 'timecreated'];

    /** Moodle enrolment plugins and Polku's EnrolmentMethod names. */
    private const ENROL_METHODS = [
        'manual' => 'ENROLMENT_METHOD_MANUAL',
        'self' => 'ENROLMENT_METHOD_SELF',
        'cohort' => 'ENROLMENT_METHOD_COHORT',
        'database' => 'ENROLMENT_METHOD_DATABASE',
        'ldap' => 'ENROLMENT_METHOD_DATABASE',
        'flatfile' => 'ENROLMENT_METHOD_DATABASE',
        'imsenterprise' => 'ENROLMENT_METHOD_DATABASE',
        'guest' => 'ENROLMENT_METHOD_GUEST',
        'meta' => 'ENROLMENT_METHOD_META',
        'lti' => 'ENROLMENT_METHOD_LTI',
        'fee' => 'ENROLMENT_METHOD_PAYMENT',
        'paypal' => 'ENROLMENT_METHOD_PAYMENT',
    ];

    /** @var string */
    private $wwwroot;
    /** @var string */
    private $release;

    /**
     * Constructor.
     *
     * @param string $wwwroot the site's wwwroot ($CFG->wwwroot)
     * @param string $release the plugin's release, sent as adapter version
     */
    public function __construct(string $wwwroot, string $release) {
        $this->wwwroot = $wwwroot;
        $this->release = $release;
    }

    /**
     * Moodle event data reduced to the keys that are sent, with `other`
     * decoded when it comes from a log row (JSON in Moodle 4, PHP-serialised
     * in older rows).
     *
     * @param array $data $event->get_data() or a logstore_standard_log row
     * @return array
     */
    public static function event_data(array $data): array {
        $out = [];
        foreach (self::EVENT_KEYS as $key) {
            if (array_key_exists($key, $data)) {
                $out[$key] = $data[$key];
            }
        }
        if (isset($out['other']) && is_string($out['other'])) {
            $out['other'] = self::decode_other($out['other']);
        }
        foreach (['objectid', 'contextid', 'contextlevel', 'contextinstanceid', 'userid', 'courseid',
                'relateduserid', 'edulevel', 'anonymous', 'timecreated'] as $key) {
            if (isset($out[$key]) && is_string($out[$key]) && preg_match('/^-?\d+$/', $out[$key])) {
                $out[$key] = (int)$out[$key];
            }
        }
        if (isset($out['eventname'])) {
            $out['eventname'] = '\\' . ltrim((string)$out['eventname'], '\\');
        }
        return $out;
    }

    /**
     * Decodes a log row's `other`: JSON, PHP-serialised (objects refused), or "N;".
     *
     * @param string $other
     * @return mixed
     */
    public static function decode_other(string $other) {
        if ($other === '' || $other === 'N;' || $other === 'null') {
            return null;
        }
        $json = json_decode($other, true);
        if (json_last_error() === JSON_ERROR_NONE) {
            return $json;
        }
        $value = @unserialize($other, ['allowed_classes' => false]);
        return $value === false ? $other : $value;
    }

    /**
     * Polku's EnrolmentMethod enum name for a Moodle enrolment plugin.
     *
     * @param string|null $plugin e.g. "self"
     * @return string|null
     */
    public static function enrolment_method(?string $plugin): ?string {
        return $plugin === null ? null : (self::ENROL_METHODS[$plugin] ?? null);
    }

    /**
     * The Enrichment message of an event.
     *
     * @param string $eventid the event's deterministic id
     * @param array $facts optional: enrol (plugin name), required (bool),
     *     goalids (string[]), competencies (string[]), orgunit (string),
     *     role (string), modname (string), enrolmentstatus (0|1),
     *     grademax/grademin/gradepass (float)
     * @return array
     */
    public function enrichment(string $eventid, array $facts): array {
        $en = [
            'instance' => $this->wwwroot,
            'adapterVersion' => 'local_polku ' . $this->release,
            'eventId' => $eventid,
        ];
        $method = self::enrolment_method($facts['enrol'] ?? null);
        if ($method !== null) {
            $en['enrolmentMethod'] = $method;
        }
        if (isset($facts['required']) && $facts['required'] !== null) {
            $en['courseRequired'] = (bool)$facts['required'];
        }
        foreach (['goalids' => 'goalIds', 'competencies' => 'competencies'] as $from => $to) {
            $list = self::id_list($facts[$from] ?? []);
            if ($list) {
                $en[$to] = $list;
            }
        }
        if (($facts['orgunit'] ?? '') !== '') {
            $en['orgUnit'] = (string)$facts['orgunit'];
        }
        if (($facts['role'] ?? '') !== '') {
            $en['learnerRole'] = (string)$facts['role'];
        }
        $ext = [];
        if (($facts['modname'] ?? '') !== '') {
            $ext['moodle.modname'] = (string)$facts['modname'];
        }
        if (isset($facts['enrolmentstatus'])) {
            $ext['moodle.enrolment_status'] = (int)$facts['enrolmentstatus'] === 1 ? 'suspended' : 'active';
        }
        foreach (['grademax', 'grademin', 'gradepass'] as $key) {
            if (isset($facts[$key]) && is_numeric($facts[$key])) {
                $ext['moodle.' . $key] = self::number_text((float)$facts[$key]);
            }
        }
        if ($ext) {
            ksort($ext);
            $en['extensions'] = $ext;
        }
        return $en;
    }

    /**
     * One IngestItem: {"source": SourceEvent}.
     *
     * @param array $data event data (already reduced by {@see event_data()})
     * @param array $enrichment from {@see enrichment()}
     * @return array
     */
    public static function ingest_item(array $data, array $enrichment): array {
        return ['source' => [
            'format' => 'SOURCE_FORMAT_MOODLE',
            'payload' => self::json($data),
            'enrichment' => $enrichment,
        ]];
    }

    /**
     * JSON the way Polku reads it: UTF-8 (invalid bytes replaced), slashes
     * kept, floats keep their fraction.
     *
     * @param mixed $value
     * @return string
     */
    public static function json($value): string {
        return json_encode($value, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE |
            JSON_INVALID_UTF8_SUBSTITUTE | JSON_PRESERVE_ZERO_FRACTION | JSON_THROW_ON_ERROR);
    }

    /**
     * Ids from a comma-separated string or an array: trimmed, non-empty, unique.
     *
     * @param string|array $value
     * @return string[]
     */
    public static function id_list($value): array {
        $items = is_array($value) ? $value : preg_split('/[,;\n]/', (string)$value);
        $out = [];
        foreach ($items as $item) {
            $item = trim((string)$item);
            if ($item !== '' && !in_array($item, $out, true)) {
                $out[] = $item;
            }
        }
        return $out;
    }

    /**
     * A number as short decimal text ("10", "7.5").
     *
     * @param float $v
     * @return string
     */
    private static function number_text(float $v): string {
        return rtrim(rtrim(sprintf('%.6F', $v), '0'), '.');
    }
}
