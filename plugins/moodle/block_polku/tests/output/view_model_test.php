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

namespace block_polku\output;

/**
 * Tests of the block's template data.
 *
 * @package    block_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 * @covers     \block_polku\output\view_model
 */
final class view_model_test extends \basic_testcase {
    public function test_polku_down_is_quiet(): void {
        $ctx = view_model::build('https://moodle.example.edu', null, null, static fn($id) => $id);
        $this->assertFalse($ctx['available']);
        $this->assertSame([], $ctx['items']);
    }

    public function test_recommendations_and_balance(): void {
        $recs = [
            ['recommendationId' => 'r1', 'kind' => 'NUDGE_KIND_APPLY_AT_WORK',
                'targetId' => 'moodle.example.edu/course/view.php?id=2', 'text' => 'You finished a course.'],
            ['recommendationId' => 'r2', 'kind' => 'NUDGE_KIND_NEW_THING', 'targetId' => 'other.example/x', 'text' => 'T'],
        ];
        $ctx = view_model::build('https://moodle.example.edu', $recs,
            ['balance' => 0.25, 'bandLow' => 0.3, 'bandHigh' => 0.7], static fn($id) => "[$id]");
        $this->assertSame('[kind:apply_at_work]', $ctx['items'][0]['title']);
        $this->assertSame('https://moodle.example.edu/course/view.php?id=2', $ctx['items'][0]['url']);
        $this->assertSame('You finished a course.', $ctx['items'][0]['reason']);
        $this->assertSame('[kind:other]', $ctx['items'][1]['title']);
        $this->assertFalse($ctx['items'][1]['hasurl'], 'targets on other sites are not linked');
        $this->assertSame([25, 75, 30, 70, false], [$ctx['balancepercent'], $ctx['structuredpercent'],
            $ctx['bandlow'], $ctx['bandhigh'], $ctx['inband']]);
    }
}
