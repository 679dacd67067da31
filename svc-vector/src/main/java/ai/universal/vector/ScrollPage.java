package ai.universal.vector;

import java.util.List;

/**
 * One page of a scroll in id order.
 *
 * @param points     points of this page
 * @param nextOffset id to pass as offset for the next page, or null at the end
 */
public record ScrollPage(List<Point> points, PointId nextOffset) {
}
