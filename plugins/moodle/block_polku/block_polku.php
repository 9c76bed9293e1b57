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

/**
 * The Polku block: the learner's recommended next steps, loaded after the page.
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class block_polku extends block_base {
    /**
     * Title.
     */
    public function init() {
        $this->title = get_string('pluginname', 'block_polku');
    }

    /**
     * Where the block may be added.
     *
     * @return array
     */
    public function applicable_formats() {
        return ['my' => true, 'course-view' => true, 'site-index' => false, 'mod' => false];
    }

    /**
     * An empty frame filled by AJAX: no call to Polku during the page load.
     *
     * @return stdClass
     */
    public function get_content() {
        global $OUTPUT, $USER;
        if ($this->content !== null) {
            return $this->content;
        }
        $this->content = new stdClass();
        $this->content->footer = '';
        if (!isloggedin() || isguestuser() || !get_config('local_polku', 'endpoint')) {
            $this->content->text = '';
            return $this->content;
        }
        $courseid = $this->page->course->id ?? SITEID;
        $this->content->text = $OUTPUT->render_from_template('block_polku/loading', ['courseid' => $courseid]);
        $this->page->requires->js_call_amd('block_polku/recommendations', 'init',
            ['[data-region="block_polku"]', (int)$courseid]);
        return $this->content;
    }
}
