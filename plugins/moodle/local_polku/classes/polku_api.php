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

use local_polku\http\client;

/**
 * Polku's RPCs as the plugin uses them, over the HTTP/JSON gateway
 * (proto3 JSON mapping). Every method throws \local_polku\http\polku_exception
 * when the call fails.
 *
 * @package    local_polku
 * @copyright  Polku contributors
 * @license    https://www.gnu.org/copyleft/gpl.html GNU GPL v3 or later
 */
class polku_api {
    /** @var client */
    private $client;

    /**
     * Constructor.
     *
     * @param client $client the transport
     */
    public function __construct(client $client) {
        $this->client = $client;
    }

    /**
     * EventService.Ingest.
     *
     * @param array $items IngestItems ({"source": SourceEvent})
     * @param string $locale locale of evidence reasons
     * @return array IngestResponse; each result has itemIndex and outcome filled in
     */
    public function ingest(array $items, string $locale = 'en'): array {
        $response = $this->client->request('POST', '/v1/events:ingest',
            ['events' => array_values($items), 'locale' => $locale]);
        $results = [];
        foreach ($response['results'] ?? [] as $result) {
            // Proto3 JSON leaves out zero values: item 0 has no itemIndex.
            $result['itemIndex'] = (int)($result['itemIndex'] ?? 0);
            $result['outcome'] = (string)($result['outcome'] ?? 'EVENT_OUTCOME_UNSPECIFIED');
            $results[] = $result;
        }
        $response['results'] = $results;
        return $response;
    }

    /**
     * CatalogueService.UpsertActivities.
     *
     * @param array $activities Activity messages
     * @return int how many Polku stored
     */
    public function upsert_activities(array $activities): int {
        $response = $this->client->request('POST', '/v1/catalogue/activities',
            ['activities' => array_values($activities)]);
        return (int)($response['upserted'] ?? 0);
    }

    /**
     * RecommendationService.GetRecommendations.
     *
     * @param string $learner learner key
     * @param int $k how many
     * @param string $locale "en" or "fi"
     * @return array Recommendation messages
     */
    public function get_recommendations(string $learner, int $k, string $locale): array {
        $response = $this->client->request('GET', self::learner_path($learner, 'recommendations') .
            '?k=' . $k . '&locale=' . rawurlencode($locale));
        return $response['recommendations'] ?? [];
    }

    /**
     * RecommendationService.RecordFeedback.
     *
     * @param string $learner learner key
     * @param string $recommendationid the recommendation
     * @param string $outcome FEEDBACK_OUTCOME_ACCEPTED, _DISMISSED, _SHOWN or _COMPLETED
     */
    public function record_feedback(string $learner, string $recommendationid, string $outcome): void {
        $this->client->request('POST', '/v1/feedback',
            ['learner' => $learner, 'recommendationId' => $recommendationid, 'outcome' => $outcome]);
    }

    /**
     * InsightService.GetLearnerProfile.
     *
     * @param string $learner learner key
     * @param string $locale "en" or "fi"
     * @return array GetLearnerProfileResponse
     */
    public function get_profile(string $learner, string $locale): array {
        return $this->client->request('GET', self::learner_path($learner, 'profile') . '?locale=' . rawurlencode($locale));
    }

    /**
     * PrivacyService.SetProfilingOptOut.
     *
     * @param string $learner learner key
     * @param bool $optedout true to opt out
     * @return bool the opt-out now in force
     */
    public function set_profiling_opt_out(string $learner, bool $optedout): bool {
        $response = $this->client->request('PUT', self::learner_path($learner, 'profiling'), ['optedOut' => $optedout]);
        return !empty($response['optedOut']);
    }

    /**
     * PrivacyService.ExportLearnerData.
     *
     * @param string $learner learner key
     * @return array ExportLearnerDataResponse with eventsJson, tagsJson and stateJson always present
     */
    public function export_learner_data(string $learner): array {
        $response = $this->client->request('GET', self::learner_path($learner, 'data'));
        return [
            'eventsJson' => $response['eventsJson'] ?? [],
            'tagsJson' => $response['tagsJson'] ?? [],
            'stateJson' => (string)($response['stateJson'] ?? ''),
        ];
    }

    /**
     * PrivacyService.DeleteLearnerData.
     *
     * @param string $learner learner key
     * @return int events deleted
     */
    public function delete_learner_data(string $learner): int {
        $response = $this->client->request('DELETE', self::learner_path($learner, 'data'));
        return (int)($response['eventsDeleted'] ?? 0);
    }

    /**
     * "/v1/learners/{learner}/{what}" with the key percent-encoded.
     *
     * @param string $learner
     * @param string $what
     * @return string
     */
    public static function learner_path(string $learner, string $what): string {
        return '/v1/learners/' . rawurlencode($learner) . '/' . $what;
    }
}
