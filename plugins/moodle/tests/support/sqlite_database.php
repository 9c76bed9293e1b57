<?php
// Test-only: the moodle_database methods local_polku's outbox and backfill
// use, over an in-memory SQLite database. Tables come from a plugin's
// db/install.xml (XMLDB: int, char, text, number; primary key with
// SEQUENCE; unique indexes), so the tests exercise the shipped schema.

/** Test-only stand-in for the part of moodle_database local_polku uses. */
class polku_test_sqlite_database {
    /** @var PDO */
    public $pdo;

    public function __construct() {
        $this->pdo = new PDO('sqlite::memory:');
        $this->pdo->setAttribute(PDO::ATTR_ERRMODE, PDO::ERRMODE_EXCEPTION);
    }

    /**
     * Creates the tables of an install.xml.
     *
     * @param string $file path of install.xml
     */
    public function install_xmldb(string $file): void {
        $xml = simplexml_load_file($file);
        foreach ($xml->TABLES->TABLE as $table) {
            $cols = [];
            foreach ($table->FIELDS->FIELD as $f) {
                $name = (string)$f['NAME'];
                $type = ['int' => 'INTEGER', 'char' => 'TEXT', 'text' => 'TEXT', 'number' => 'REAL'][(string)$f['TYPE']];
                $col = "$name $type";
                if ((string)$f['SEQUENCE'] === 'true') {
                    $col .= ' PRIMARY KEY AUTOINCREMENT';
                } else {
                    if ((string)$f['NOTNULL'] === 'true') {
                        $col .= ' NOT NULL';
                    }
                    if (isset($f['DEFAULT'])) {
                        $col .= ' DEFAULT ' . $this->pdo->quote((string)$f['DEFAULT']);
                    }
                }
                $cols[] = $col;
            }
            $tname = (string)$table['NAME'];
            $this->pdo->exec("CREATE TABLE $tname (" . implode(', ', $cols) . ')');
            foreach ($table->INDEXES->INDEX ?? [] as $index) {
                $unique = (string)$index['UNIQUE'] === 'true' ? 'UNIQUE ' : '';
                $this->pdo->exec("CREATE {$unique}INDEX {$tname}_{$index['NAME']} ON $tname ({$index['FIELDS']})");
            }
        }
    }

    private function where(array $conditions): array {
        $sql = [];
        $params = [];
        foreach ($conditions as $k => $v) {
            $sql[] = "$k = ?";
            $params[] = $v;
        }
        return [$sql ? implode(' AND ', $sql) : '1=1', $params];
    }

    private function query(string $sql, array $params): array {
        $st = $this->pdo->prepare($sql);
        $st->execute(array_values($params));
        $out = [];
        while ($row = $st->fetch(PDO::FETCH_ASSOC)) {
            $obj = (object)$row;
            if (isset($obj->id)) {
                $out[$obj->id] = $obj;
            } else {
                $out[] = $obj;
            }
        }
        return $out;
    }

    public function record_exists($table, array $conditions) {
        [$w, $p] = $this->where($conditions);
        return (bool)$this->query("SELECT 1 AS present FROM $table WHERE $w LIMIT 1", $p);
    }

    public function insert_record($table, $dataobject, $returnid = true) {
        $data = (array)$dataobject;
        unset($data['id']);
        $cols = implode(', ', array_keys($data));
        $qs = implode(', ', array_fill(0, count($data), '?'));
        $this->pdo->prepare("INSERT INTO $table ($cols) VALUES ($qs)")->execute(array_values($data));
        return (int)$this->pdo->lastInsertId();
    }

    public function update_record($table, $dataobject) {
        $data = (array)$dataobject;
        $id = $data['id'];
        unset($data['id']);
        $set = implode(', ', array_map(static fn($k) => "$k = ?", array_keys($data)));
        $this->pdo->prepare("UPDATE $table SET $set WHERE id = ?")->execute([...array_values($data), $id]);
        return true;
    }

    public function get_records_select($table, $select, array $params = null, $sort = '', $fields = '*',
            $limitfrom = 0, $limitnum = 0) {
        $sql = "SELECT $fields FROM $table" . ($select ? " WHERE $select" : '') . ($sort ? " ORDER BY $sort" : '');
        if ($limitnum) {
            $sql .= " LIMIT $limitnum OFFSET $limitfrom";
        }
        return $this->query($sql, $params ?? []);
    }

    public function get_recordset_select($table, $select, array $params = null, $sort = '', $fields = '*',
            $limitfrom = 0, $limitnum = 0) {
        return new polku_test_recordset($this->get_records_select($table, $select, $params, $sort, $fields,
            $limitfrom, $limitnum));
    }

    public function get_records($table, array $conditions = null, $sort = '') {
        [$w, $p] = $this->where($conditions ?? []);
        return $this->get_records_select($table, $w, $p, $sort);
    }

    public function count_records($table, array $conditions = null) {
        [$w, $p] = $this->where($conditions ?? []);
        return (int)$this->query("SELECT COUNT(1) AS n FROM $table WHERE $w", $p)[0]->n;
    }

    public function delete_records($table, array $conditions = null) {
        [$w, $p] = $this->where($conditions ?? []);
        $this->pdo->prepare("DELETE FROM $table WHERE $w")->execute($p);
        return true;
    }

    public function delete_records_list($table, $field, array $values) {
        if ($values) {
            $qs = implode(', ', array_fill(0, count($values), '?'));
            $this->pdo->prepare("DELETE FROM $table WHERE $field IN ($qs)")->execute(array_values($values));
        }
        return true;
    }
}

/** Test-only stand-in for moodle_recordset. */
class polku_test_recordset extends ArrayIterator {
    public function close() {
    }
}
