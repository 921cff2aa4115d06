// SPDX-License-Identifier: MIT
// Chainlink AggregatorV3Interface-compatible feed whose answer the deployer sets (devnet and tests only).
pragma solidity ^0.8.24;

interface AggregatorV3Interface {
    function decimals() external view returns (uint8);
    function description() external view returns (string memory);
    function version() external view returns (uint256);
    function getRoundData(uint80 _roundId)
        external view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
    function latestRoundData()
        external view returns (uint80 roundId, int256 answer, uint256 startedAt, uint256 updatedAt, uint80 answeredInRound);
}

contract PriceFeed is AggregatorV3Interface {
    struct Round {
        int256 answer;
        uint256 startedAt;
        uint256 updatedAt;
    }

    uint8 public immutable override decimals;
    string public override description;
    uint256 public constant override version = 4;
    address public immutable owner;
    uint80 public latestRound;
    mapping(uint80 => Round) private rounds;

    /// Same shape as Chainlink's AnswerUpdated, so log readers can follow updates.
    event AnswerUpdated(int256 indexed current, uint256 indexed roundId, uint256 updatedAt);
    event NewRound(uint256 indexed roundId, address indexed startedBy, uint256 startedAt);

    error NotOwner();
    error NoDataPresent();
    error UpdatedAtInFuture();

    constructor(uint8 decimals_, string memory description_, int256 initialAnswer) {
        decimals = decimals_;
        description = description_;
        owner = msg.sender;
        _record(initialAnswer, block.timestamp);
    }

    function updateAnswer(int256 answer) external {
        if (msg.sender != owner) revert NotOwner();
        _record(answer, block.timestamp);
    }

    /// @notice Lets tests publish a stale (or back-dated) answer; a future timestamp is refused.
    function updateAnswerAt(int256 answer, uint256 updatedAt) external {
        if (msg.sender != owner) revert NotOwner();
        if (updatedAt > block.timestamp) revert UpdatedAtInFuture();
        _record(answer, updatedAt);
    }

    function getRoundData(uint80 roundId_)
        external view override returns (uint80, int256, uint256, uint256, uint80)
    {
        Round memory r = rounds[roundId_];
        if (r.updatedAt == 0) revert NoDataPresent();
        return (roundId_, r.answer, r.startedAt, r.updatedAt, roundId_);
    }

    function latestRoundData() external view override returns (uint80, int256, uint256, uint256, uint80) {
        Round memory r = rounds[latestRound];
        return (latestRound, r.answer, r.startedAt, r.updatedAt, latestRound);
    }

    /// Chainlink's legacy getters, still read by some integrations.
    function latestAnswer() external view returns (int256) {
        return rounds[latestRound].answer;
    }

    function latestTimestamp() external view returns (uint256) {
        return rounds[latestRound].updatedAt;
    }

    function _record(int256 answer, uint256 updatedAt) private {
        uint80 id = latestRound + 1;
        latestRound = id;
        rounds[id] = Round(answer, updatedAt, updatedAt);
        emit NewRound(id, msg.sender, updatedAt);
        emit AnswerUpdated(answer, id, updatedAt);
    }
}
